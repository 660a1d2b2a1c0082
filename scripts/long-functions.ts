/**
 * Lists the longest functions and files under src/ (the closing notes' size table, and a check
 * for docs/STYLE.md's "Functions fit on a screen" habit). Uses the TypeScript parser, so
 * arrow functions, methods and object-literal members all count.
 *
 *   npx tsx scripts/long-functions.ts [root=src] [top=15]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'

const root = process.argv[2] ?? 'src'
const top = Number(process.argv[3] ?? '15')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return files(path)
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$|\.generated\.ts$/.test(name) ? [path] : []
  })
}

interface Found {
  file: string
  name: string
  lines: number
}

function nameOf(node: ts.Node): string {
  const named = node as { name?: ts.Node }
  if (named.name && ts.isIdentifier(named.name)) return named.name.text
  const parent = node.parent
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text
  return '(anonymous)'
}

const fns: Found[] = []
const sizes: Found[] = []
for (const file of files(root)) {
  const text = readFileSync(file, 'utf8')
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  sizes.push({ file, name: '', lines: text.split('\n').length })
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line
      fns.push({ file, name: nameOf(node), lines: end - start + 1 })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
}
console.log('longest files:')
for (const f of sizes.sort((a, b) => b.lines - a.lines).slice(0, top)) console.log(`  ${String(f.lines).padStart(5)}  ${f.file}`)
console.log('longest functions:')
for (const f of fns.sort((a, b) => b.lines - a.lines).slice(0, top)) console.log(`  ${String(f.lines).padStart(5)}  ${f.name}  ${f.file}`)
