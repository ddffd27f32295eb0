from kuaiji_cli.main import main

main()
