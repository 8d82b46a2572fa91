// Validates RDF files against SHACL shapes with rdf-validate-shacl (Zazuko),
// an engine independent of msskg and pySHACL: node validate.mjs SHAPES DATA...
// The data graph is the union of every graph of every DATA file (Turtle, TriG,
// N-Triples or N-Quads). Prints one JSON line: conforms, and each result's
// focus node, constraint component and severity.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import factory from "@zazuko/env";
import { Parser } from "n3";
import SHACLValidator from "rdf-validate-shacl";

function read(path, dataset) {
  const parser = new Parser({ baseIRI: pathToFileURL(path).href });
  for (const quad of parser.parse(readFileSync(path, "utf8"))) {
    dataset.add(factory.quad(quad.subject, quad.predicate, quad.object));
  }
  return dataset;
}

const [shapesPath, ...dataPaths] = process.argv.slice(2);
const shapes = read(shapesPath, factory.dataset());
// rdf-validate-shacl evaluates SHACL Core, not SHACL-SPARQL: the sh:sparql
// constraints are left out (msskg's engines and pySHACL run them).
const SPARQL = "http://www.w3.org/ns/shacl#sparql";
for (const quad of [...shapes]) if (quad.predicate.value === SPARQL) shapes.delete(quad);
const data = factory.dataset();
for (const path of dataPaths) read(path, data);
// The shapes' owl:imports (msskg's ontology) is given as data, not fetched.
const importGraph = async () => factory.dataset();
const report = await new SHACLValidator(shapes, { factory, importGraph }).validate(data);
const results = report.results.map((r) => [
  r.focusNode?.value ?? null,
  r.sourceConstraintComponent?.value ?? null,
  r.severity?.value ?? null,
]);
console.log(JSON.stringify({ conforms: report.conforms, results }));
