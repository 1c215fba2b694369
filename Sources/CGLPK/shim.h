// The GNU Linear Programming Kit (Debian: libglpk-dev), used by UpstreamInterventions to solve the budgeted plan.
#include <glpk.h>
