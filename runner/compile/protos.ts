/**
 * The protobuf messages @dataform/core speaks: a CoreExecutionRequest goes in, a
 * CoreExecutionResponse (holding the CompiledGraph) comes out. The .proto files ship with the
 * installed core, so request and response always match the core that compiles.
 */
import path from "node:path";
import protobuf from "protobufjs";

export interface CoreProtos {
  CoreExecutionRequest: protobuf.Type;
  CoreExecutionResponse: protobuf.Type;
}

const cache = new Map<string, CoreProtos>();

export function loadCoreProtos(corePackageDir: string): CoreProtos {
  const cached = cache.get(corePackageDir);
  if (cached) return cached;
  const root = new protobuf.Root();
  // Imports such as "extension.proto" sit beside core.proto; google/protobuf/* are protobufjs built-ins.
  root.resolvePath = (origin, target) =>
    target.startsWith("google/protobuf/") ? target : path.join(corePackageDir, path.basename(target));
  root.loadSync(path.join(corePackageDir, "core.proto"), { keepCase: false });
  root.resolveAll();
  const protos = {
    CoreExecutionRequest: root.lookupType("dataform.CoreExecutionRequest"),
    CoreExecutionResponse: root.lookupType("dataform.CoreExecutionResponse"),
  };
  cache.set(corePackageDir, protos);
  return protos;
}
