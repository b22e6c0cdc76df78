# benchlab, Nix-pinned: one nixpkgs revision gives every toolchain a run uses.
#
#   nix develop              # shell with go, cargo, rustc, hyperfine, valgrind, make, git
#   nix run .#experiment     # build benchlab, run + report async-fn-pointers (from the checkout root)
#   nix build                # bin/benchlab as result/bin/benchlab
#   nix flake check          # go vet ./... && go test ./... in the Nix sandbox
#
# Offline checks of this file (no fetching, a stub nixpkgs): nix/check.sh.
{
  description = "benchlab: a reproducible benchmarking lab, with toolchains pinned by nixpkgs";

  # The pin lives in flake.lock:
  #
  #   NixOS/nixpkgs d3498f786f97ac0bded21b34bae0bf3809b45aa3
  #   branch nixpkgs-unstable, lastModified 1785110946 (2026-07-27)
  #
  # Why this revision: go.mod says `go 1.26.0`, so the pinned nixpkgs must have
  # a Go 1.26 (go_1_26 arrived in nixpkgs-unstable in February 2026 and is in
  # nixos-26.05; nixos-25.05 stops before it). This is a nixpkgs-unstable
  # commit from July 2026, five months after go_1_26 landed, taken from a
  # public project that builds Go 1.26 code with it. The flake uses pkgs.go
  # when that already satisfies go.mod, else go_1_26.
  #
  # Honesty note: rev, narHash and lastModified in flake.lock were copied by
  # hand from a public project's flake.lock that tracks nixpkgs-unstable;
  # they were NOT produced by `nix flake lock` here (this machine reaches
  # neither GitHub nor the Nix cache), so the download and the narHash are
  # unverified. If a networked `nix build`/`nix develop` reports that the rev
  # does not exist or the narHash mismatches, refresh the pin:
  #
  #   nix flake update            # moves to the current nixpkgs-unstable
  #
  # and commit the new flake.lock. The Go version check below keeps any newer
  # revision honest: evaluation fails if it has no Go >= go.mod's `go` line.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixpkgs-unstable";

  outputs = { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;

      # benchlab pins CPUs with sched_setaffinity: Linux only.
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      # The `go` line of go.mod, read at evaluation time (e.g. "1.26.0").
      goModGo =
        let
          lines = builtins.filter builtins.isString (builtins.split "\n" (builtins.readFile ./go.mod));
          found = builtins.filter (m: m != null) (map (builtins.match "go[[:space:]]+([0-9][0-9.]*)[[:space:]]*") lines);
        in
        if found == [ ] then throw "flake.nix: no `go` line in go.mod" else builtins.head (builtins.head found);

      # Recorded in every archived run (see README, "Running with Nix"):
      # the nixpkgs revision, or "dirty:<narHash>" when nixpkgs is not a
      # locked git revision (e.g. --override-input nixpkgs path:...).
      nixpkgsRev = nixpkgs.rev or "dirty:${nixpkgs.narHash or "unknown"}";

      perSystem = pkgs:
        let
          # Go: nixpkgs' default when it satisfies go.mod, else go_1_26.
          go =
            let
              chosen = if lib.versionAtLeast pkgs.go.version goModGo then pkgs.go else pkgs.go_1_26;
            in
            if lib.versionAtLeast chosen.version goModGo then chosen
            else throw "flake.nix: nixpkgs ${nixpkgsRev} has Go ${chosen.version}, go.mod wants >= ${goModGo}; update flake.lock";
          buildGoModule = pkgs.buildGoModule.override { inherit go; };

          # The toolchains whose store paths a run records: name=/nix/store/...
          toolchains = {
            inherit go;
            inherit (pkgs) cargo rustc hyperfine;
            cc = pkgs.stdenv.cc; # the linker cargo calls
          };
          storePaths = lib.concatStringsSep " " (lib.mapAttrsToList (name: drv: "${name}=${drv}") toolchains);
          benchlabEnv = {
            BENCHLAB_NIXPKGS_REV = nixpkgsRev;
            BENCHLAB_NIX_STORE_PATHS = storePaths;
          };

          benchlab = buildGoModule {
            pname = "benchlab";
            version = "0-unstable-${self.shortRev or self.dirtyShortRev or "dirty"}";
            src = ./.;
            subPackages = [ "cmd/benchlab" ];
            # The source has no .git, so Go stamps no VCS data: pass the commit
            # the way the Makefile does (<sha>, or <sha>-dirty; Nix < 2.16 has
            # no dirtyRev, hence plain "dirty").
            ldflags = [ "-X main.commit=${self.rev or self.dirtyRev or "dirty"}" ];
            # The NAR hash of the `vendor` directory that `go mod vendor`
            # makes from go.mod/go.sum (buildGoModule's goModules output).
            # Recompute it offline after any change to the imports or go.mod:
            #   nix/vendor-hash.sh          # prints it
            #   nix/vendor-hash.sh --write  # rewrites the line below
            # (or build: a mismatch makes `nix build` print the right one).
            vendorHash = "sha256-oAIxsXc0s/td/zxQ5SlQ1mY4ajZ6b08XP4Ik5FOlEl0=";
            # The whole suite runs in checks.test (nix flake check), not here,
            # so that `nix build`/`nix run` do not run it a second time.
            doCheck = false;
            meta = {
              description = "Reproducible benchmarking lab: turns a published performance claim into a rerunnable experiment";
              mainProgram = "benchlab";
              platforms = lib.platforms.linux;
            };
          };

          # `make test` in the sandbox, against the same vendored modules.
          test = benchlab.overrideAttrs (_: {
            pname = "benchlab-test";
            buildPhase = ''
              runHook preBuild
              runHook postBuild
            '';
            doCheck = true;
            checkPhase = ''
              runHook preCheck
              # As buildGoModule's own checkPhase: no -trimpath for tests.
              export GOFLAGS=''${GOFLAGS//-trimpath/}
              go vet ./...
              go test ./...
              runHook postCheck
            '';
            installPhase = ''
              runHook preInstall
              mkdir -p $out
              echo "go vet ./... && go test ./... passed with Go ${go.version}" > $out/result
              runHook postInstall
            '';
          });

          # What `make experiment` needs, from the pinned nixpkgs (curl lets
          # build.sh see whether crates.io answers).
          toolInputs = [ go pkgs.cargo pkgs.rustc pkgs.stdenv.cc pkgs.hyperfine pkgs.gnumake pkgs.git pkgs.curl pkgs.coreutils ];

          experiment = pkgs.writeShellApplication {
            name = "benchlab-experiment";
            runtimeInputs = [ benchlab ] ++ toolInputs;
            text = ''
              # Runs and reports one experiment (default async-fn-pointers) the
              # way `make experiment` does, with the pinned toolchains. Run it
              # from the root of a benchlab checkout: results/ and reports/ are
              # written there. Extra arguments go to `benchlab run`.
              export BENCHLAB_NIXPKGS_REV=${lib.escapeShellArg nixpkgsRev}
              export BENCHLAB_NIX_STORE_PATHS=${lib.escapeShellArg storePaths}
              exp=''${EXP:-async-fn-pointers}
              results=''${RESULTS:-results}
              reports=''${REPORTS:-reports}
              if [[ ! -f experiments/$exp/experiment.toml ]]; then
                echo "benchlab-experiment: no experiments/$exp/experiment.toml here; run from the root of a benchlab checkout" >&2
                exit 1
              fi
              benchlab run --results "$results" "$@" "experiments/$exp"
              benchlab report --results "$results" --out "$reports" "$exp"
            '';
          };
        in
        {
          inherit benchlab test experiment;
          shell = pkgs.mkShell ({
            name = "benchlab";
            packages = toolInputs ++ [ pkgs.valgrind ];
            shellHook = ''
              echo "benchlab: nixpkgs $BENCHLAB_NIXPKGS_REV, Go ${go.version}" >&2
            '';
          } // benchlabEnv);

          # The experiment file, parsed at evaluation time: a cheap check that
          # the seed experiment names itself and still holds the six
          # strategies whose published figures it reproduces.
          experimentFile =
            let
              e = builtins.fromTOML (builtins.readFile ./experiments/async-fn-pointers/experiment.toml);
              names = map (s: s.name) e.strategy;
              published = map (s: s.name) (builtins.filter (s: s ? reference) e.strategy);
            in
            assert builtins.length published == 6 || throw "experiment.toml: ${toString (builtins.length published)} strategies with published figures, want 6";
            assert e.name == "async-fn-pointers" || throw "experiment.toml: name is ${e.name}";
            assert builtins.all (n: builtins.elem n names) published || throw "experiment.toml: strategies ${toString names} lack one of ${toString published}";
            assert builtins.elem e.trials.baseline names || throw "experiment.toml: baseline ${e.trials.baseline} is no strategy";
            pkgs.runCommand "benchlab-experiment-toml" { } ''
              echo ${lib.escapeShellArg (lib.concatStringsSep " " names)} > $out
            '';
        };

      per = forAllSystems perSystem;
    in
    {
      packages = lib.mapAttrs (_: p: {
        default = p.benchlab;
        inherit (p) benchlab experiment;
      }) per;

      apps = lib.mapAttrs (_: p: {
        experiment = {
          type = "app";
          program = "${p.experiment}/bin/benchlab-experiment";
          meta.description = "Run and report experiments/async-fn-pointers with the pinned toolchains";
        };
        default = {
          type = "app";
          program = "${p.benchlab}/bin/benchlab";
          meta.description = "The benchlab command";
        };
      }) per;

      devShells = lib.mapAttrs (_: p: { default = p.shell; }) per;

      checks = lib.mapAttrs (_: p: {
        test = p.test;
        experiment-toml = p.experimentFile;
      }) per;
    };
}
