"""The parts of `autograd.compile`: `names` (the trust boundary of generated source),
`trace` (running `fn` once), `text` and `emit` (writing the code), `callable` (running it)."""
