"""ebemu: moto's server extended with the Elastic Beanstalk deployment calls,
run-time delays and fault injection, for ebpack's tests. See ../README.md."""
