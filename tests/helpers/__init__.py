"""What the tests share besides fixtures: data makers, Spark checks, and the scripts
that tests run as child processes."""
