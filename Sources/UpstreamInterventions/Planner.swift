/// The budgeted allocation problem: choose at most one offer per young person so that the expected harm averted is
/// largest, within the budget and each programme's places.
public struct PlanProblem: Sendable {
    /// One possible offer: a person, a programme, and the expected harm it averts (present value, pounds).
    public struct Option: Sendable, Equatable {
        public var person: Int
        public var programme: Int
        public var value: Double
        public init(person: Int, programme: Int, value: Double) { self.person = person; self.programme = programme; self.value = value }
    }

    /// Cost per participant of each programme.
    public var costs: [Money]
    /// Places of each programme.
    public var places: [Int]
    public var options: [Option]

    public init(costs: [Money], places: [Int], options: [Option]) {
        precondition(costs.count == places.count, "one cost and one number of places per programme")
        self.costs = costs; self.places = places; self.options = options
    }
}

/// A set of chosen offers (indices into the problem's options) with their total value and cost.
public struct Allocation: Sendable, Equatable {
    public var chosen: [Int]
    public var value: Double
    public var cost: Money

    public init(chosen: [Int], problem: PlanProblem) {
        self.chosen = chosen.sorted()
        self.value = chosen.reduce(0) { $0 + problem.options[$1].value }
        self.cost = chosen.reduce(Money.zero) { $0 + problem.costs[problem.options[$1].programme] }
    }

    /// Whether it keeps to the budget, the places and one offer per person.
    public func isFeasible(_ problem: PlanProblem, budget: Money) -> Bool {
        guard cost <= budget else { return false }
        var used = Array(repeating: 0, count: problem.places.count)
        var people: Set<Int> = []
        for i in chosen {
            let o = problem.options[i]
            used[o.programme] += 1
            if used[o.programme] > problem.places[o.programme] || !people.insert(o.person).inserted { return false }
        }
        return true
    }
}

/// Solves the plan: a greedy plan, the optimum by mixed-integer programming (GLPK), and brute force for tests.
public enum Planner {
    /// Greedy by value per pound: take offers in order of expected harm averted per pound spent (ties: larger value
    /// first, then lower index), skipping any that would break the budget, a programme's places or one offer per person.
    public static func greedy(_ problem: PlanProblem, budget: Money) -> Allocation {
        let ratio = problem.options.map { $0.value / max(problem.costs[$0.programme].pounds, 0.01) }
        let order = problem.options.indices.sorted { a, b in
            if ratio[a] != ratio[b] { return ratio[a] > ratio[b] }
            let va = problem.options[a].value, vb = problem.options[b].value
            if va != vb { return va > vb }
            return a < b
        }
        var left = budget
        var placesLeft = problem.places
        var taken: Set<Int> = []
        var chosen: [Int] = []
        for i in order {
            let o = problem.options[i]
            let c = problem.costs[o.programme]
            guard o.value > 0, placesLeft[o.programme] > 0, c <= left, !taken.contains(o.person) else { continue }
            chosen.append(i); taken.insert(o.person); placesLeft[o.programme] -= 1; left -= c
        }
        return Allocation(chosen: chosen, problem: problem)
    }

    /// The most offers any plan within the budget can make: the cheapest places first.
    static func mostOffers(_ problem: PlanProblem, budget: Money) -> Int {
        var left = budget, n = 0
        for j in problem.costs.indices.sorted(by: { problem.costs[$0] < problem.costs[$1] }) {
            let c = problem.costs[j]
            let k = c.pence == 0 ? problem.places[j] : min(problem.places[j], Int(left.pence / c.pence))
            n += k
            left -= c * k
        }
        return n
    }

    /// Drops offers no optimal plan needs, without changing the optimum. Let n be the most offers any plan within the
    /// budget can make. If a programme has n offers valued above offer x (to n different people), a plan using x
    /// gives offers to at most n − 1 other people, so one of those n is left out; giving them x's place instead (same
    /// programme, same cost) is better. So each programme keeps only its n best offers.
    /// - Returns: the option indices kept, ascending.
    public static func reduce(_ problem: PlanProblem, budget: Money) -> [Int] {
        let n = min(problem.places.reduce(0, +), mostOffers(problem, budget: budget))
        guard n > 0 else { return [] }
        var byProgramme = Array(repeating: [Int](), count: problem.costs.count)
        for (i, o) in problem.options.enumerated() where o.value > 0 { byProgramme[o.programme].append(i) }
        var kept: [Int] = []
        for list in byProgramme {
            let k = n
            if list.count <= k { kept += list; continue }
            kept += list.sorted { problem.options[$0].value != problem.options[$1].value ? problem.options[$0].value > problem.options[$1].value : $0 < $1 }.prefix(k)
        }
        return kept.sorted()
    }

    /// The best plan by exhaustive search: for tests on small problems only (every person takes none or one option).
    public static func bruteForce(_ problem: PlanProblem, budget: Money) -> Allocation {
        var byPerson: [Int: [Int]] = [:]
        for (i, o) in problem.options.enumerated() { byPerson[o.person, default: []].append(i) }
        let people = byPerson.keys.sorted()
        var best = Allocation(chosen: [], problem: problem)
        var current: [Int] = []
        var used = Array(repeating: 0, count: problem.places.count)
        func search(_ k: Int, _ value: Double, _ cost: Money) {
            if k == people.count {
                if value > best.value + 1e-9 { best = Allocation(chosen: current, problem: problem) }
                return
            }
            search(k + 1, value, cost)
            for i in byPerson[people[k]]! {
                let o = problem.options[i]
                let c = cost + problem.costs[o.programme]
                guard c <= budget, used[o.programme] < problem.places[o.programme] else { continue }
                used[o.programme] += 1; current.append(i)
                search(k + 1, value + o.value, c)
                used[o.programme] -= 1; current.removeLast()
            }
        }
        search(0, 0, .zero)
        return best
    }
}
