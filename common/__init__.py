"""Building blocks every app may use: no models, no project rules, only Django and the standard library."""
