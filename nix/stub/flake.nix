# A stand-in for nixpkgs, for evaluating ../../flake.nix with no network.
#
#   nix flake check --no-build --offline --no-write-lock-file \
#     --override-input nixpkgs path:./nix/stub
#
# It has no inputs and builds nothing real: it provides `lib` (only the
# functions the flake calls, written with builtins and with nixpkgs' semantics)
# and, per system, every package and builder the flake uses, each a plain
# builtins.derivation whose builder only writes a marker file. The flake is then
# evaluated for real (attribute names, go.mod parsing, Go version selection,
# the environment variables, the app script), against fake store paths.
#
# Keep it in step with the flake: an attribute the flake starts using and the
# stub lacks fails `nix/check.sh` with "attribute ... missing", which is the
# point. The stub's `go` is deliberately too old (1.25) so that the flake's
# go.mod-driven choice of go_1_26 is exercised.
{
  description = "benchlab: offline stub of the parts of nixpkgs that flake.nix uses";

  outputs = { self }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];

      lib = rec {
        genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
        mapAttrs = builtins.mapAttrs;
        mapAttrsToList = f: attrs: map (n: f n attrs.${n}) (builtins.attrNames attrs);
        concatStringsSep = builtins.concatStringsSep;
        versionAtLeast = v1: v2: builtins.compareVersions v1 v2 >= 0;
        escapeShellArg = arg:
          let s = toString arg; in
          if builtins.match "[[:alnum:],._+:@%/-]+" s == null
          then "'${builtins.replaceStrings [ "'" ] [ "'\\''" ] s}'"
          else s;
        platforms.linux = [ "x86_64-linux" "aarch64-linux" ];
      };

      # mkDrv NAME SYSTEM EXTRA: a derivation that evaluates like a real one
      # (outPath, drvPath, name, type) and, if ever built, writes one file.
      mkDrv = system: name: extra:
        let
          drv = builtins.derivation {
            inherit name system;
            builder = "/bin/sh";
            args = [ "-c" "echo nix-stub > $out" ];
          };
        in
        drv // { meta = { }; passthru = { }; } // extra;

      pkgsFor = system:
        let
          pkg = name: version: mkDrv system "${name}-${version}" {
            pname = name;
            inherit version;
          };

          # buildGoModule: callable, with .override { go = ...; } like the
          # real one, returning a derivation with overrideAttrs.
          mkBuildGoModule = go:
            let
              build = args:
                assert builtins.isString (args.vendorHash or null)
                  || throw "stub buildGoModule: vendorHash must be a string";
                assert builtins.match "sha256-[A-Za-z0-9+/]{43}=" args.vendorHash != null
                  || throw "stub buildGoModule: vendorHash ${args.vendorHash} is not an SRI sha256";
                mkDrv system "${args.pname}-${args.version}" {
                  inherit (args) pname version;
                  inherit go;
                  stubArgs = args;
                  overrideAttrs = f: build (args // f args);
                };
            in
            { __functor = _: build; override = o: mkBuildGoModule (o.go or go); };

          pkgs = {
            inherit lib;
            go = pkg "go" "1.25.9";
            go_1_26 = pkg "go" "1.26.8";
            cargo = pkg "cargo" "1.94.0";
            rustc = pkg "rustc-wrapper" "1.94.0";
            hyperfine = pkg "hyperfine" "1.20.0";
            valgrind = pkg "valgrind" "3.25.1";
            gnumake = pkg "gnumake" "4.4.1";
            git = pkg "git" "2.50.1";
            curl = pkg "curl" "8.15.0";
            coreutils = pkg "coreutils" "9.7";
            stdenv = {
              cc = pkg "gcc-wrapper" "14.3.0";
              isLinux = builtins.match ".*-linux" system != null;
              hostPlatform.system = system;
            };
            buildGoModule = mkBuildGoModule pkgs.go;

            # Like mkDerivation, every argument is also an attribute (and, in
            # the real thing, an environment variable of `nix develop`).
            mkShell = args: mkDrv system (args.name or "nix-shell") (args // { stubArgs = args; });

            writeShellApplication = args:
              assert builtins.isString args.text;
              mkDrv system args.name {
                inherit (args) text;
                runtimeInputs = args.runtimeInputs or [ ];
                meta.mainProgram = args.name;
              };

            runCommand = name: env: script: mkDrv system name { stubEnv = env; inherit script; };
          };
        in
        pkgs;
    in
    {
      inherit lib;
      legacyPackages = lib.genAttrs systems pkgsFor;
    };
}
