"""有呼必应 Dispatch: work orders raised by the 12345 hotline, grid inspectors and the public."""
