import sys

from customer_behaviour.cli import main

sys.exit(main())
