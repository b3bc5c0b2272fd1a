"""The floor for `peerfind search`: a minimal Typer program with one command and one option."""

import typer

app = typer.Typer()


@app.command()
def search(near: str = typer.Option("", "--near", help="Where.")) -> None:
    """Echo the option (what any Typer command pays to start, parse and run)."""
    print(near)


if __name__ == "__main__":
    app()
