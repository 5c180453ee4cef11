"""Running an evaluation: the pipeline of `halprobe eval`, the runner that asks and caches,
the samples and choices passes, corpus counts as frequency proxy, the judge, pricing."""
