"""The fixed-size tables of durable_rules' C engine, and a model of its alpha network that checks them.

durable_rules 2.0.28 (src/rules/rete.c, events.c) builds one alpha node per distinct test, children
shared by (field, operator, value). Several of its tables have fixed sizes and some overflows are not
reported but crash or hang the process (measured by benchmarks/native_limits.py):

- a node's children that test a field live in a 512-slot open hash set probed until an empty slot:
  with all 512 full, creating the ruleset (or matching a fact) spins forever;
- the nodes that one fact matches wait on a 64-entry stack: past it the engine returns error 303
  mid-assertion and the session is left corrupt (`free(): invalid size` or a segfault follows);
- a node's "missing field" and `$or` forward links live in a 128-slot list, its joins in a 256-slot list;
- one condition holds at most 31 `$and`/`$or` markers, a ruleset at most 4096 rules.

The model rebuilds the network from the compiled JSON exactly as `createAlpha`/`findAlpha`/`linkAlpha`
do, and bounds the stack for the worst fact: every child test that can hold together is taken to hold
(equality tests of one field exclude each other)."""

from __future__ import annotations

import json
from typing import Any

HASH_SLOTS = 512
"""NEXT_BUCKET_LENGTH: the children of one node that test a field; full means an endless probe."""
MATCH_STACK = 64
"""MAX_STACK_SIZE in events.c: alpha nodes one fact has matched and not yet expanded."""
NEXT_LIST_SLOTS = 128
"""NEXT_LIST_LENGTH: a node's `$nex` children and `$or` forward links, zero-terminated."""
BETA_LIST_SLOTS = 256
"""BETA_LIST_LENGTH: joins hanging off one alpha node, zero-terminated."""
CONDITION_MARKERS = 32
"""MAX_SEQUENCE_EXPRESSIONS: `$and`/`$or` open and end markers of one condition (the 32nd fails)."""
RULESET_ACTIONS = 4096
"""MAX_ACTIONS in rete.c: named rules in one ruleset."""

MAX_CHILDREN = HASH_SLOTS - 1
MAX_MATCHED = MATCH_STACK
MAX_NEXT_LIST = NEXT_LIST_SLOTS - 1
MAX_JOINS = BETA_LIST_SLOTS - 1
MAX_MARKERS = CONDITION_MARKERS - 1
MAX_RULES = RULESET_ACTIONS - 1
"""What decider allows: each table keeps a free slot, so every probe and scan ends."""

Violation = tuple[str, str]
"""(compiled rule name, what is wrong)."""


class _Node:
    __slots__ = ("field", "op", "children", "nex", "next_list", "joins", "added_by", "owner_of")

    def __init__(self, field: str, op: str) -> None:
        self.field = field
        self.op = op
        self.children: dict[tuple[str, str, str], _Node] = {}
        self.nex: dict[str, _Node] = {}
        self.next_list: list[_Node] = []
        self.joins = 0
        self.added_by: dict[str, int] = {}
        self.owner_of: dict[tuple[str, str, str], str] = {}
        """Links and children added, by the compiled rule that added them (to name the culprit)."""


class _Network:
    """The alpha network of a compiled ruleset, built rule by rule; records the first rule past each limit."""

    def __init__(self) -> None:
        self.root = _Node("", "root")
        self.rules = 0
        self.found: list[Violation] = []
        self.nodes: list[_Node] = [self.root]
        self._reported: set[str] = set()

    def add(self, name: str, rule: dict[str, Any]) -> None:
        self.rules += 1
        if self.rules == MAX_RULES + 1:
            self._report("rules", name, f"the ruleset would have more than {MAX_RULES} compiled rules "
                                        f"(durable_rules holds {RULESET_ACTIONS}); use fewer rules or alternatives")
        for condition in rule.get("all", ()):
            for expr in condition.values():
                markers = [0]
                end = self._create(name, expr, self.root, markers)
                end.joins += 1
                if end.joins == MAX_JOINS + 1:
                    self._report(f"joins{id(end)}", name, f"more than {MAX_JOINS} rules end on the same test "
                                 f"(durable_rules holds {BETA_LIST_SLOTS - 1}); merge rules with identical conditions")
                if markers[0] > MAX_MARKERS:
                    self._report(f"markers{name}", name, f"condition nests {markers[0] // 2} all/any groups "
                                 f"(durable_rules holds {MAX_MARKERS // 2} per alternative); flatten it")

    def _create(self, name: str, expr: Any, parent: _Node, markers: list[int]) -> _Node:
        if len(expr) != 1:  # several fields in one object: durable_rules reads them as a conjunction
            expr = {"$and": [{k: v} for k, v in expr.items()]}
        (key, value), = expr.items()
        if key == "$and":
            markers[0] += 2
            node = parent
            for item in value:
                node = self._create(name, item, node, markers)
            return node
        if key == "$or":
            markers[0] += 2
            forward = _Node("", "forward")
            self.nodes.append(forward)
            for item in value:
                end = self._create(name, item, parent, markers)
                self._link(name, end, forward)
            return forward
        if key == "$nex":
            (field, _), = value.items()
            found = parent.nex.get(field)
            if found is None:
                found = parent.nex[field] = _Node(field, "$nex")
                self.nodes.append(found)
                self._link(name, parent, found)
            return found
        if key.startswith("$"):
            (field, operand), = value.items()
            op = key
        else:
            field, op, operand = key, "==", value
        child_key = (field, op, json.dumps(operand, sort_keys=True))
        child = parent.children.get(child_key)
        if child is None:
            child = parent.children[child_key] = _Node(field, op)
            self.nodes.append(child)
            parent.owner_of[child_key] = name
        return child

    def _link(self, name: str, node: _Node, target: _Node) -> None:
        node.next_list.append(target)
        node.added_by[name] = node.added_by.get(name, 0) + 1

    def table_overflows(self) -> list[Violation]:
        """Nodes whose child hash set or next list would fill up, each blamed on the rule adding most to it."""
        found = []
        for node in self.nodes:
            if len(node.children) > MAX_CHILDREN:
                by_field: dict[str, list[str]] = {}
                for (field, _, _), owner in node.owner_of.items():
                    by_field.setdefault(field, []).append(owner)
                field, owners = max(by_field.items(), key=lambda item: len(item[1]))
                name = max(owners, key=owners.count)
                rules = len({o.split("#")[0] for o in owners})
                found.append((name, f"compiled, {len(node.children)} distinct tests follow one engine node (durable_rules "
                                    f"hangs past {MAX_CHILDREN}); {len(owners)} of them test {field[2:]} in {rules} rule(s) "
                                    "such as this one: use fewer distinct values or thresholds"))
            if len(node.next_list) > MAX_NEXT_LIST:
                name = max(node.added_by, key=node.added_by.__getitem__)
                found.append((name, f"compiled, {len(node.next_list)} `any` branches or unknown-tests follow one engine "
                                    f"node (durable_rules overruns past {MAX_NEXT_LIST}); merge them"))
        return found

    def _report(self, kind: str, name: str, message: str) -> None:
        if kind not in self._reported:
            self._reported.add(kind)
            self.found.append((name, message))

    def matched_at_once(self) -> int:
        """The most alpha nodes the engine's match stack can hold for one fact (worst case): a node
        pushes the children a fact can match at once, and the deepest of them is expanded while the
        others wait (computed bottom-up without recursion: a long `all` makes a long chain)."""
        peak: dict[int, int] = {}
        stack: list[tuple[_Node, bool]] = [(self.root, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in peak:
                continue
            children = list(node.next_list) + list(node.children.values())
            if not expanded:
                stack.append((node, True))
                stack.extend((child, False) for child in children if id(child) not in peak)
                continue
            if not children:
                peak[id(node)] = 0
                continue
            pushed = sum(1 for c in node.next_list if c.op == "forward") + _at_once(node)
            peak[id(node)] = (pushed - 1) + max(max(1, peak.get(id(c), 0)) for c in children)
        return peak[id(self.root)]


def _at_once(node: _Node) -> int:
    """The most children of `node` one fact can match: per field, either its missing-field test or
    one of its equality tests plus all its other tests (different values of one field exclude each other)."""
    fields: dict[str, list[int]] = {}
    for child in node.children.values():
        counts = fields.setdefault(child.field, [0, 0])
        if child.op == "==":
            counts[0] = 1
        else:
            counts[1] += 1
    total = sum(equal + other for equal, other in fields.values())
    for field in node.nex:
        equal, other = fields.get(field, (0, 0))
        total += max(0, 1 - equal - other)  # the field is missing: none of its other tests holds
    return total


def violations(definition: dict[str, Any]) -> list[Violation]:
    """Every limit the compiled ruleset would pass, each with the first compiled rule that passes it."""
    network = _Network()
    for name, rule in definition.items():
        network.add(name, rule)
    found = list(network.found) + network.table_overflows()
    if network.matched_at_once() > MAX_MATCHED:
        found.append(_first_past_stack(definition))
    return found


def _first_past_stack(definition: dict[str, Any]) -> Violation:
    """The first rule (in definition order) with which one fact can match more nodes than the stack holds."""
    names = list(definition)
    fixed = [n for n in names if "#" not in n]  # decider's own rules (session, sinks) are always there
    own = [n for n in names if "#" in n]

    def height(count: int) -> int:
        network = _Network()
        for name in own[:count] + fixed:
            network.add(name, definition[name])
        return network.matched_at_once()

    low, high = 0, len(own)  # height(low) fits, height(high) does not
    while high - low > 1:
        middle = (low + high) // 2
        if height(middle) > MAX_MATCHED:
            high = middle
        else:
            low = middle
    name = own[high - 1] if own else names[-1]
    return (name, f"with this rule, one answers fact can match {height(high)} engine tests at once (durable_rules "
                  f"crashes past {MAX_MATCHED}); merge rules that weigh the same question at many thresholds")
