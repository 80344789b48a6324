from lossquiz.cli import main

main()
