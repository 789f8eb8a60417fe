"""The command line: a thin click layer, the only place that prints or picks exit codes."""
