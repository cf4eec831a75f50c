"""Build the defense map: `python build_map.py --help` lists every option."""

from geo.cli import main

if __name__ == "__main__":
    main()
