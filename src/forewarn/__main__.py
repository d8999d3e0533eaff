from forewarn.cli.main import app

app(prog_name="forewarn")
