/**
 * Receipt downloads from the window: a receipt's PDF or JSON file, a payee's remittance advice, a
 * batch's receipts as one ZIP. The ZIP comes a part at a time (receipts.zip.chunk) and is saved
 * once every part is in and adds up to the size and SHA-256 the core announced.
 */
import { invoke } from '../../lib/api'
import { base64ToBytes, saveBlob, saveDownload, sha256Hex } from '../../lib/download'

/** Above this the ZIP's SHA-256 is not computed in the window (it would need the whole file in one buffer); its size is still checked. */
const ZIP_HASH_CHECK_BYTES_MAX = 64 * 1024 * 1024

export async function downloadReceiptPdf(number: number): Promise<string> {
  const file = await invoke('receipts.pdf', { number })
  saveDownload(file)
  return file.name
}

export async function downloadReceiptJson(number: number): Promise<string> {
  const file = await invoke('receipts.json', { number })
  saveDownload(file)
  return file.name
}

export async function downloadRemittance(payee: string, numbers?: number[]): Promise<string> {
  const file = await invoke('receipts.remittance', { payee, ...(numbers ? { numbers } : {}) })
  saveDownload(file)
  return file.name
}

export interface ZipSaved {
  name: string
  files: number
  bytes: number
}

/** Every receipt of the batch as PDFs in one ZIP; `progress` hears each part as it arrives. */
export async function downloadBatchZip(batchId: string, progress?: (partsIn: number, parts: number) => void): Promise<ZipSaved> {
  const zip = await invoke('receipts.zip', { batchId })
  const parts: Uint8Array<ArrayBuffer>[] = []
  let bytes = 0
  for (let index = 0; index < zip.chunks; index++) {
    const part = await invoke('receipts.zip.chunk', { downloadId: zip.downloadId, index })
    const piece = base64ToBytes(part.base64)
    parts.push(piece)
    bytes += piece.length
    progress?.(index + 1, zip.chunks)
  }
  if (bytes !== zip.bytes) throw new Error(`The ZIP arrived with ${bytes} of its ${zip.bytes} bytes — download it again.`)
  if (bytes <= ZIP_HASH_CHECK_BYTES_MAX) {
    const whole = new Uint8Array(bytes)
    let at = 0
    for (const p of parts) {
      whole.set(p, at)
      at += p.length
    }
    if ((await sha256Hex(whole)) !== zip.sha256) throw new Error('The ZIP changed on its way to this window — download it again.')
  }
  saveBlob(zip.name, parts, 'application/zip')
  return { name: zip.name, files: zip.files, bytes }
}
