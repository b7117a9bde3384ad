#!/usr/bin/env python
from govhall.cli import main

if __name__ == "__main__":
    main()
