# A stand-in for the parts of nixpkgs' `lib` that nix/module.nix and
# nix/package.nix use, written against builtins only: nixpkgs cannot be
# fetched where these tests run. Semantics follow nixpkgs where it matters
# to the tests (the types' checks, utils.escapeSystemdExecArgs); the
# module system itself is imitated in module_eval.nix.
let
  inherit (builtins) isBool isString isInt isList isAttrs isPath all attrValues
    elem match replaceStrings concatStringsSep length filter substring foldl' elemAt;
  mkType = name: check: { inherit name check; };
in
rec {
  mkOption = attrs: attrs // { _type = "option"; };
  mkEnableOption = what: mkOption {
    type = types.bool;
    default = false;
    description = "Whether to enable ${what}.";
  };
  mkIf = condition: content: { _type = "if"; inherit condition content; };
  mkMerge = contents: { _type = "merge"; inherit contents; };
  mkDefault = content: { _type = "override"; priority = 1000; inherit content; };
  literalExpression = text: { _type = "literalExpression"; inherit text; };

  optionals = cond: list: if cond then list else [ ];

  # NixOS's utils (a module argument, not part of lib): JSON-quoted for
  # systemd's own ExecStart parser, % and $ escaped.
  utils.escapeSystemdExecArgs = args: concatStringsSep " " (map
    (arg: replaceStrings [ "%" "$" ] [ "%%" "$$" ] (builtins.toJSON (
      if isPath arg then "${arg}" else if isString arg then arg else toString arg)))
    args);

  genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
  count = pred: list: length (filter pred list);
  inherit all;
  concatMapStrings = f: list: concatStringsSep "" (map f list);
  makeLibraryPath = pkgs: concatStringsSep ":" (map (p: "${p}/lib") pkgs);
  licenses.agpl3Plus = { spdxId = "AGPL-3.0-or-later"; };
  platforms.linux = [ "x86_64-linux" "aarch64-linux" ];

  types = {
    bool = mkType "bool" isBool;
    str = mkType "str" isString;
    path = mkType "path" (x: isPath x || (isString x && substring 0 1 x == "/"));
    package = mkType "package" (x: isAttrs x && (x.type or null) == "derivation");
    enum = values: mkType "one of ${concatStringsSep ", " values}" (x: elem x values);
    nullOr = t: mkType "null or ${t.name}" (x: x == null || t.check x);
    listOf = t: mkType "list of ${t.name}" (x: isList x && all t.check x);
    attrsOf = t: mkType "attribute set of ${t.name}" (x: isAttrs x && all t.check (attrValues x));
    ints = {
      between = lo: hi: mkType "integer between ${toString lo} and ${toString hi}"
        (x: isInt x && x >= lo && x <= hi);
      positive = mkType "positive integer" (x: isInt x && x > 0);
    };
  };
}
