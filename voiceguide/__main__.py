import sys

from voiceguide.cli import main

sys.exit(main())
