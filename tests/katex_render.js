// Render every LaTeX string given as a JSON list on stdin with KaTeX (display mode, errors
// thrown); print a JSON list of {index, error} for the ones that failed.
const katex = require("katex");
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const failures = [];
  JSON.parse(input).forEach((latex, index) => {
    try {
      katex.renderToString(latex, { throwOnError: true, displayMode: true, strict: "error" });
    } catch (error) {
      failures.push({ index, latex, error: String(error.message) });
    }
  });
  process.stdout.write(JSON.stringify(failures));
});
