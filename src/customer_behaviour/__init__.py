"""Python side of the customer behaviour warehouse.

The dbt project (SQL) is the warehouse; this package holds what is not SQL: the demo-data
generator, the CLV and association-rule fitting that the dbt Python models wrap, validation,
and benchmarks. Everything here is importable without dbt so pytest can reach it directly.
"""

__version__ = "0.1.0"
