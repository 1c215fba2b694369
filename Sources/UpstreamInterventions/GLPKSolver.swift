import CGLPK

/// How the mixed-integer solver finished.
public struct SolverResult: Sendable, Equatable {
    public var allocation: Allocation
    /// "optimal", or "time limit: best found" (then `bound` says how far from optimal it can be).
    public var status: String
    /// The best upper bound on the optimum the solver proved (equal to the value when optimal).
    public var bound: Double
    /// Offers given to the solver after `Planner.reduce`.
    public var variables: Int
}

/// The greedy plan as GLPK's first incumbent, passed to its callback.
private final class Incumbent {
    let values: [Double]
    var given = false
    init(values: [Double]) { self.values = values }
}

extension Planner {
    /// Branch and cut stops when the plan is proven within this fraction of the optimum (0.01%).
    public static let relativeGap = 1e-4

    /// The optimal plan, by mixed-integer programming with GLPK (LP relaxation, then branch and cut with cover cuts,
    /// started from the greedy plan):
    /// maximise Σ value·x subject to Σ cost·x ≤ budget, Σ x ≤ places for each programme, Σ x ≤ 1 for each person,
    /// x binary. The problem is first reduced (`reduce`), which cannot change the optimum. If GLPK stops at its time
    /// limit, the best plan found is returned, never worse than greedy (the greedy plan is kept when it is better).
    /// - Parameters:
    ///   - timeLimitSeconds: GLPK's time limit.
    /// - Throws: `InterventionsError.solver` when GLPK fails outright.
    ///   - greedy: the greedy plan, when the caller has it already.
    public static func optimal(_ problem: PlanProblem, budget: Money, timeLimitSeconds: Double = 60, greedy known: Allocation? = nil) throws -> SolverResult {
        let relativeGap = Planner.relativeGap
        let greedy = known ?? greedy(problem, budget: budget)
        let kept = reduce(problem, budget: budget)
        if kept.isEmpty { return SolverResult(allocation: greedy, status: "optimal", bound: greedy.value, variables: 0) }
        // Person rows only for people with two or more offers left (a lone offer is already ≤ 1 by its bounds).
        var offersOf: [Int: Int] = [:]
        for i in kept { offersOf[problem.options[i].person, default: 0] += 1 }
        var personRow: [Int: Int32] = [:]
        let programmes = problem.costs.count
        var nextRow = Int32(programmes + 2)
        for (p, n) in offersOf.sorted(by: { $0.key < $1.key }) where n > 1 { personRow[p] = nextRow; nextRow += 1 }
        let rows = nextRow - 1

        glp_term_out(GLP_OFF)
        guard let lp = glp_create_prob() else { throw InterventionsError.solver("GLPK could not create a problem") }
        defer { glp_delete_prob(lp) }
        glp_set_obj_dir(lp, GLP_MAX)
        glp_add_rows(lp, rows)
        glp_set_row_bnds(lp, 1, GLP_UP, 0, budget.pounds)
        for j in 0..<programmes { glp_set_row_bnds(lp, Int32(j + 2), GLP_UP, 0, Double(problem.places[j])) }
        for r in personRow.values { glp_set_row_bnds(lp, r, GLP_UP, 0, 1) }
        glp_add_cols(lp, Int32(kept.count))
        var ia: [Int32] = [0], ja: [Int32] = [0], ar: [Double] = [0]
        ia.reserveCapacity(kept.count * 3 + 1); ja.reserveCapacity(kept.count * 3 + 1); ar.reserveCapacity(kept.count * 3 + 1)
        for (k, i) in kept.enumerated() {
            let o = problem.options[i]
            let col = Int32(k + 1)
            glp_set_col_kind(lp, col, GLP_BV)
            glp_set_obj_coef(lp, col, o.value)
            ia.append(1); ja.append(col); ar.append(problem.costs[o.programme].pounds)
            ia.append(Int32(o.programme + 2)); ja.append(col); ar.append(1)
            if let r = personRow[o.person] { ia.append(r); ja.append(col); ar.append(1) }
        }
        glp_load_matrix(lp, Int32(ia.count - 1), &ia, &ja, &ar)

        // The LP relaxation first: its value bounds the optimum, and branch and cut starts from its basis.
        var lpParm = glp_smcp()
        glp_init_smcp(&lpParm)
        lpParm.msg_lev = GLP_MSG_OFF
        lpParm.presolve = GLP_ON
        guard glp_simplex(lp, &lpParm) == 0, glp_get_status(lp) == GLP_OPT else {
            throw InterventionsError.solver("GLPK could not solve the linear relaxation (status \(glp_get_status(lp)))")
        }
        let relaxation = glp_get_obj_val(lp)
        // The greedy plan is handed to branch and cut as its first incumbent, so it prunes from the start and can
        // never finish worse than greedy.
        let greedySet = Set(greedy.chosen)
        let incumbent = Incumbent(values: [0] + kept.map { greedySet.contains($0) ? 1 : 0 })
        var parm = glp_iocp()
        glp_init_iocp(&parm)
        parm.presolve = GLP_OFF  // the callback below numbers columns as in this problem
        parm.msg_lev = GLP_MSG_OFF
        parm.tm_lim = Int32(max(1, min(timeLimitSeconds * 1000, Double(Int32.max))))
        parm.mip_gap = relativeGap
        parm.cov_cuts = GLP_ON
        parm.cb_func = { tree, info in
            guard let tree, let info, glp_ios_reason(tree) == GLP_IHEUR else { return }
            let box = Unmanaged<Incumbent>.fromOpaque(info).takeUnretainedValue()
            guard !box.given else { return }
            box.given = true
            box.values.withUnsafeBufferPointer { _ = glp_ios_heur_sol(tree, $0.baseAddress) }
        }
        let ret = withExtendedLifetime(incumbent) { () -> Int32 in
            parm.cb_info = Unmanaged.passUnretained(incumbent).toOpaque()
            return glp_intopt(lp, &parm)
        }
        let status = glp_mip_status(lp)
        guard status == GLP_OPT || status == GLP_FEAS else {
            if ret == GLP_ETMLIM {
                return SolverResult(allocation: greedy, status: "time limit before any plan was found: greedy plan kept",
                                    bound: relaxation, variables: kept.count)
            }
            throw InterventionsError.solver("GLPK found no plan (return code \(ret), status \(status))")
        }
        var chosen: [Int] = []
        for (k, i) in kept.enumerated() where glp_mip_col_val(lp, Int32(k + 1)) > 0.5 { chosen.append(i) }
        var allocation = Allocation(chosen: chosen, problem: problem)
        // Costs enter GLPK as doubles: guard the exact budget in pence.
        if !allocation.isFeasible(problem, budget: budget) {
            throw InterventionsError.solver("GLPK returned a plan that breaks a constraint: report this with the inputs")
        }
        var label: String
        if status == GLP_OPT || ret == GLP_EMIPGAP {
            label = "optimal (within \(relativeGap * 100)%)"
        } else {
            let gap = relaxation > 0 ? (relaxation - allocation.value) / relaxation : 0
            label = "time limit: best found, within \(Int((gap * 1000).rounded(.up)) / 10)% of the LP bound"
        }
        if greedy.value > allocation.value { allocation = greedy; label += " (greedy plan kept: better)" }
        let proven = status == GLP_OPT || ret == GLP_EMIPGAP
        let bound = proven ? max(allocation.value, min(relaxation, allocation.value / (1 - relativeGap))) : relaxation
        return SolverResult(allocation: allocation, status: label, bound: bound, variables: kept.count)
    }
}
