// pulumi-resource-random, built from github.com/pulumi/pulumi-random/provider/v4
// (a Terraform-bridged provider).
//
// Upstream's main embeds a schema generated at release time, which the module
// download does not contain; build.sh puts it next to this file as schema.json
// (from $PULUMI_RANDOM_SCHEMA, or `{}`).
//
// NOT BUILT on this project's machines: the Go module proxy they reach does not
// serve github.com/pulumi/pulumi-random/provider/v4 (see docs/e2e.md).
package main

import (
	_ "embed"

	random "github.com/pulumi/pulumi-random/provider/v4"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
)

//go:embed schema.json
var pulumiSchema []byte

// Set with -ldflags "-X main.version=...".
var version = "4.0.0"

func main() {
	tfbridge.Main("random", version, random.Provider(), pulumiSchema)
}
