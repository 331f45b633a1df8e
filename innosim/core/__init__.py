"""The core: variables, engines, cases, the model, its data, targets, parameter sets, scenarios and tables."""
