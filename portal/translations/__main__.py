import sys

from portal.translations import main

sys.exit(main(sys.argv[1:]))
