from innosim.cli.main import main

raise SystemExit(main())
