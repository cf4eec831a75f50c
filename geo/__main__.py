"""`python -m geo`: the command line (`python -m geo --help`)."""

from geo.cli import main

if __name__ == "__main__":
    main()
