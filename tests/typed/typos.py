"""A user's script with typos: `mypy --strict` must report each marked line once, no other.

Each line ending in `# typo` holds exactly one mistake a type checker should catch now
that `Value` declares its methods (there is no `__getattr__` that accepts any name).
"""

from __future__ import annotations

import autograd
import nn
from autograd import Value, viz

x = Value(0.5, label="x")
y = x.tanhh()  # typo
z = x.sigmoid().reluu()  # typo
name: str = x.labell  # typo
number: str = x.data  # typo
w = x.maxx(1.0)  # typo
v = x + "1"  # typo
model = nn.MLP(2, [3, 1])
params = model.paramters()  # typo
optimiser = nn.SGD(model.parameters(), lr="0.1")  # typo
with autograd.no_gradd():  # typo
    pass
svg = viz.to_svgg(x)  # typo
x.backward(create_grahp=True)  # typo
