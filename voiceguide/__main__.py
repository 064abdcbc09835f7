import sys

from voiceguide.app.cli import main

sys.exit(main())
