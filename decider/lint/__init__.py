"""The rulebase verifier behind `decider lint`: structure, logic, eligibility, monotonicity and the policy's properties."""
