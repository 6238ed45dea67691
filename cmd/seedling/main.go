// Command seedling is the one binary of Seedling: the web service and its
// maintenance commands. It only wires; see internal/cli.
package main

import (
	"os"

	"seedling/internal/cli"
)

func main() { os.Exit(cli.Run(os.Args)) }
