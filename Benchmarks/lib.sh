# Shared by the benchmark scripts (sourced): the median the tables report.
#
# MEDIAN_AWK defines the awk function median(list): the median of a space-separated list of numbers (the mean of the
# middle two for an even count). Put it before an awk program: awk "$MEDIAN_AWK"'{ ... median(x) ... }'.
MEDIAN_AWK='function median(list,   n, a, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
'
# median_of_lines: the median of the numbers on standard input, one a line.
median_of_lines() { awk "$MEDIAN_AWK"'{ l = l " " $1 } END { print median(l) }'; }
