from ssp_platform.cli import app

app()
