import sys

from portal.translations.catalogs import main

sys.exit(main(sys.argv[1:]))
