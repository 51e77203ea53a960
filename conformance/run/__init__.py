"""One run, from options to findings: options, target, context, runner, findings, baseline,
profiles, deployments, spec plan, fleets."""
