# Evaluate nix/module.nix the way the NixOS module system would, for the
# options under services.midi-sampler, with a stand-in lib (stand_in_lib.nix).
#
#   nix-instantiate --eval --strict --json nix/tests/module_eval.nix \
#     --argstr settings '{"enable": true, "user": "alice", "script": "/home/alice/set.ts"}'
#
# settings: JSON of services.midi-sampler's values. Returns
#   { options.<name> = { type; hasDefault; default }; config = <the merged config>; }
# Throws, like the module system, for an unknown option, a value of the wrong
# type, or an option without default that is used but not set.
{ settings ? "{}" }:
let
  inherit (builtins) fromJSON attrNames mapAttrs isAttrs foldl' filter listToAttrs
    elem hasAttr;
  lib = import ./stand_in_lib.nix;
  given = fromJSON settings;

  # pkgs.callPackage ./package.nix { } as the package option's default.
  pkgs.callPackage = path: args: {
    type = "derivation";
    name = "midi-sampler";
    outPath = "/nix/store/00000000000000000000000000000000-midi-sampler";
  };

  module = import ../module.nix;
  evaluated = module { inherit config lib pkgs; inherit (lib) utils; };
  declared = evaluated.options.services.midi-sampler;
  where = name: "services.midi-sampler.${name}";

  unknown = filter (n: !(hasAttr n declared)) (attrNames given);
  value = name: opt:
    if hasAttr name given then
      (if opt.type.check given.${name} then given.${name}
      else throw "The option `${where name}' has a value of the wrong type: expected ${opt.type.name}")
    else if opt ? default then opt.default
    else throw "The option `${where name}' is used but not defined.";
  cfg =
    if unknown != [ ] then throw "The option `${where (builtins.head unknown)}' does not exist."
    else mapAttrs value declared;
  config.services.midi-sampler = cfg;

  # Push mkIf/mkMerge down and merge the definitions: attribute sets
  # recursively, lists by concatenation, anything else must agree.
  isType = t: v: isAttrs v && (v._type or null) == t;
  merge = a: b:
    if isAttrs a && isAttrs b then
      foldl' (acc: n: acc // { ${n} = if hasAttr n acc then merge acc.${n} b.${n} else b.${n}; }) a (attrNames b)
    else if builtins.isList a && builtins.isList b then a ++ b
    else if a == b then a
    else throw "The option has conflicting definitions";
  resolve = v:
    if isType "if" v then (if v.condition then resolve v.content else { })
    else if isType "merge" v then foldl' merge { } (map resolve v.contents)
    else if isAttrs v && (v.type or null) != "derivation" then
      listToAttrs (map (n: { name = n; value = resolve v.${n}; })
        (filter (n: !(isType "if" v.${n} && !v.${n}.condition)) (attrNames v)))
    else v;

  describe = name: opt: {
    type = opt.type.name;
    hasDefault = opt ? default;
    # the package's default is a derivation: say only that there is one
    default = if opt ? default && opt.type.name != "package" then opt.default else null;
  };
in
{
  options = mapAttrs describe declared;
  config = resolve evaluated.config;
}
