"""rules/: the law as data and the Chapter V / NIS2 decision engine."""
