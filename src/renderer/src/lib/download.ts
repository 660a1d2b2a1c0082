/**
 * Files in and out of the window without file-system access, the same in Electron and in browser
 * mode: a download is a Blob behind an <a download> (Electron shows its save dialog, a browser
 * saves it), and a file a person picks is read in the page and sent as base64 or text.
 */

/** Bytes of base64 text (the contract's DownloadFile and download parts carry bytes so). */
export function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** Characters per String.fromCharCode call: well under every engine's argument limit. */
const BASE64_SLICE_BYTES = 0x8000

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += BASE64_SLICE_BYTES) binary += String.fromCharCode(...bytes.subarray(i, i + BASE64_SLICE_BYTES))
  return btoa(binary)
}

/** A file the person chose, as base64 of its bytes. */
export async function fileToBase64(file: Blob): Promise<string> {
  return bytesToBase64(new Uint8Array(await file.arrayBuffer()))
}

/** Saves `parts` as one file called `name`. */
export function saveBlob(name: string, parts: BlobPart[], mime: string): void {
  const url = URL.createObjectURL(new Blob(parts, { type: mime }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.rel = 'noopener'
  document.body.appendChild(a)
  // The click starts the download at once; the URL is needed only until then.
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

/** Saves a file the core handed over whole (receipts.pdf, receipts.json, exports.run's files). */
export function saveDownload(file: { name: string; mime: string; base64: string }): void {
  saveBlob(file.name, [base64ToBytes(file.base64)], file.mime)
}

/** Hex SHA-256 of `bytes` (the browser's own, so a download can be checked against what the core said). */
export async function sha256Hex(bytes: BufferSource): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}
