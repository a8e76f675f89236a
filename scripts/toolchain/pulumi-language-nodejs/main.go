// pulumi-language-nodejs: a minimal Node.js language host for the Pulumi CLI.
//
// The upstream host (module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3)
// is not served by the Go module proxy this project can reach, so this is a
// small host of our own on top of the SDK's Go packages. It implements what
// `pulumi preview/up/destroy/refresh` need of a language host:
//
//   - GetRequiredPackages / GetRequiredPlugins: the resource plugins named by
//     node_modules/**/package.json files with {"pulumi": {"resource": true}};
//   - Run: spawns `node node_modules/@pulumi/pulumi/cmd/run` with the same
//     arguments and environment as the upstream host (PULUMI_CONFIG,
//     PULUMI_CONFIG_SECRET_KEYS, PULUMI_NODEJS_TYPESCRIPT, ..._TSCONFIG_PATH,
//     ..._TRANSPILE_ONLY from Pulumi.yaml's runtime options);
//   - GetPluginInfo, GetProgramDependencies, About.
//
// Everything else answers Unimplemented, which the engine tolerates.
// Not supported: policy packs, `pulumi new`/`install`, plugins written in
// Node.js (RunPlugin), debugging, code generation.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Set with -ldflags "-X main.version=..." (the CLI version it was built with).
var version = "3.0.0"

// The exit code with which @pulumi/pulumi's run script says it already
// reported the error to the engine.
const exitedAfterLoggingUserActionableMessage = 32

func main() {
	flag.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint (ignored)")
	flag.String("root", "", "Project root (ignored)")
	flag.Parse()
	engineAddress := ""
	if flag.NArg() > 0 {
		engineAddress = flag.Arg(flag.NArg() - 1)
	}

	host := &nodeHost{engineAddress: engineAddress}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "could not start language host RPC server: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "language host RPC stopped serving: %v\n", err)
		os.Exit(1)
	}
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

// ---------------------------------------------------------------- plugins

type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func findNodeModules(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		nm := filepath.Join(d, "node_modules")
		if st, err := os.Stat(nm); err == nil && st.IsDir() {
			return nm
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

func requiredPackages(programDir string) ([]*pulumirpc.PackageDependency, error) {
	nm := findNodeModules(programDir)
	if nm == "" {
		return nil, nil
	}
	seen := map[string]bool{}
	var out []*pulumirpc.PackageDependency
	var walk func(dir string, depth int) error
	walk = func(dir string, depth int) error {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			st, err := os.Stat(p) // follow symlinks
			if err != nil || !st.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if strings.HasPrefix(e.Name(), "@") {
				if err := walk(p, depth); err != nil {
					return err
				}
				continue
			}
			if b, err := os.ReadFile(filepath.Join(p, "package.json")); err == nil {
				var pkg packageJSON
				if json.Unmarshal(b, &pkg) == nil && pkg.Pulumi.Resource {
					name := pkg.Pulumi.Name
					if name == "" {
						name = strings.TrimPrefix(pkg.Name, "@pulumi/")
						name = strings.TrimPrefix(name, "@")
					}
					v := pkg.Pulumi.Version
					if v == "" {
						v = pkg.Version
					}
					if v != "" && !strings.HasPrefix(v, "v") {
						v = "v" + v
					}
					key := name + "@" + v
					if !seen[key] {
						seen[key] = true
						out = append(out, &pulumirpc.PackageDependency{
							Name: name, Kind: "resource", Version: v, Server: pkg.Pulumi.Server,
						})
					}
				}
			}
			if depth < 6 {
				if err := walk(filepath.Join(p, "node_modules"), depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return out, walk(nm, 0)
}

func programDir(info *pulumirpc.ProgramInfo, pwd string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		return info.GetProgramDirectory()
	}
	if pwd != "" {
		return pwd
	}
	wd, _ := os.Getwd()
	return wd
}

func (h *nodeHost) GetRequiredPackages(ctx context.Context,
	req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	pkgs, err := requiredPackages(programDir(req.GetInfo(), ""))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

func (h *nodeHost) GetRequiredPlugins(ctx context.Context,
	req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	pkgs, err := requiredPackages(programDir(req.GetInfo(), req.GetPwd()))
	if err != nil {
		return nil, err
	}
	var plugins []*pulumirpc.PluginDependency
	for _, p := range pkgs {
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// ---------------------------------------------------------------- run

func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	nm := findNodeModules(dir)
	if nm == "" {
		return &pulumirpc.RunResponse{Error: "no node_modules found above " + dir + ": run npm ci"}, nil
	}
	runPath := filepath.Join(nm, "@pulumi", "pulumi", "cmd", "run")
	if p := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); p != "" {
		runPath = p
	}
	if _, err := os.Stat(runPath); err != nil {
		return &pulumirpc.RunResponse{Error: "the Pulumi SDK is not installed (no " + runPath + "): run npm ci"}, nil
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}

	opts := map[string]any{}
	if info != nil && info.GetOptions() != nil {
		opts = info.GetOptions().AsMap()
	}

	var args []string
	if s, ok := opts["nodeargs"].(string); ok && s != "" {
		args = append(args, strings.Fields(s)...)
	}
	args = append(args, runPath)
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", dir)
	if info != nil {
		add("root-directory", info.GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		add("parallel", strconv.Itoa(int(req.GetParallel())))
	}
	entry := "."
	if info != nil && info.GetEntryPoint() != "" {
		entry = info.GetEntryPoint()
	} else if req.GetProgram() != "" {
		entry = req.GetProgram()
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secrets),
	)
	typescript := true
	if b, ok := opts["typescript"].(bool); ok {
		typescript = b
	}
	env = append(env, "PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(typescript))
	if s, ok := opts["tsconfig"].(string); ok && s != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+s)
	}
	// An explicit PULUMI_NODEJS_TRANSPILE_ONLY in the environment wins (the
	// benchmarks use it to compare type-checking with transpiling only).
	if b, ok := opts["transpileOnly"].(bool); ok && os.Getenv("PULUMI_NODEJS_TRANSPILE_ONLY") == "" {
		env = append(env, "PULUMI_NODEJS_TRANSPILE_ONLY="+strconv.FormatBool(b))
	}

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Dir = dir
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = env
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitedAfterLoggingUserActionableMessage {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{Error: "could not run node: " + err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// ---------------------------------------------------------------- misc

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *nodeHost) GetProgramDependencies(ctx context.Context,
	req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

func (h *nodeHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, _ := exec.LookPath("node")
	out, _ := exec.Command(nodeBin, "--version").Output()
	return &pulumirpc.AboutResponse{
		Executable: nodeBin,
		Version:    strings.TrimSpace(strings.TrimPrefix(string(out), "v")),
	}, nil
}
