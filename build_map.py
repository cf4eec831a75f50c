"""Build the defense map: `python build_map.py --help` lists every option."""

import gc

gc.disable()  # while the modules load (a full collection there walks them all); main() turns it on

from geo.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
