"""How items are asked: prompt transforms, prompt forms, samples and the knowledge cutoff
(plan.py, transforms.py, cutoff.py), the prompts themselves (prompts.py), and which grader a
row gets (grading.py). Plain data in, items and prompts out: no backend, no run directory."""
