"""A synthetic world where the Kalai–Vempala theorem can be checked exactly (docs/metrics.md 7).

world      people, death dates, Zipf / scenario A training documents (seeded)
theory     Good–Turing MF, Mis over bins of g, the bound (sections 2 and 4)
models     M1 Good–Turing generator, M2 smoothed name model: exact
exact      a model as groups of factoids with one probability each; g(H), Mis
posttrain  move unseen mass onto seen facts or "I don't know"; the frontier
sampled    g(H) and Mis from samples, with intervals (for M3)
transformer, m3   M3, a tiny transformer (these and m3_* the only modules that import torch)
m3_backend, m3_post   M3 as a `synth:` backend; its post-training steps (seen, idk)
qa         "When did X die?" graded by halprobe.scoring, summarised by halprobe.analysis
experiment, plots  what `halprobe synth` runs and draws
estimators, post_experiment   --check-estimators and --post-training-experiment

Nothing here is imported by ``import halprobe``.
"""
