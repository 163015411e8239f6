// compose-check validates a compose file the way `docker compose config` does (same loader,
// compose-go, with the Compose Specification's schema), without a Docker engine.
// Usage: compose-check FILE [--profile NAME]... ; prints the resolved services, exits 1 on error.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check FILE [--profile NAME]...")
		os.Exit(2)
	}
	file := os.Args[1]
	var profiles []string
	for i := 2; i+1 < len(os.Args); i += 2 {
		if os.Args[i] == "--profile" {
			profiles = append(profiles, os.Args[i+1])
		}
	}
	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithOsEnv,
		cli.WithProfiles(profiles),
		cli.WithName("douane"))
	if err != nil {
		fail(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	names := project.ServiceNames()
	sort.Strings(names)
	for _, name := range names {
		fmt.Println(name)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "compose file invalid: %v\n", err)
	os.Exit(1)
}
