"""Documents generated from the rulebase: the knowledge map and the rule graph, spliced between README markers."""
