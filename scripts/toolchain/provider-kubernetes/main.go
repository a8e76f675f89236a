// pulumi-resource-kubernetes, built from github.com/pulumi/pulumi-kubernetes/provider/v4.
//
// Upstream's main embeds a schema generated at release time, which the module
// download does not contain; build.sh puts the package schema next to this file
// as schema.json (from $PULUMI_KUBERNETES_SCHEMA, or `{}`: the engine asks a
// provider for its schema only for code generation and `pulumi package`, not
// for preview/up/destroy).
//
// NOT BUILT on this project's machines: the Go module proxy they reach does not
// serve github.com/pulumi/pulumi-kubernetes/provider/v4 (see docs/e2e.md).
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
)

//go:embed schema.json
var pulumiSchema []byte

// Set with -ldflags "-X main.version=...".
var version = "4.0.0"

func main() {
	provider.Serve("kubernetes", version, pulumiSchema)
}
