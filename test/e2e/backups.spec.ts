/**
 * Settings → Backups in the real renderer: a single-desk workspace shows when it was last backed
 * up and into which file; an admin's "Back up now" writes one into the workspace's backups folder
 * and the section shows it. Screenshots: test-results/e2e/screenshots/settings-backups(-page).png.
 */
import fs from 'node:fs'
import path from 'node:path'
import { expect, SCREENSHOT_DIR, snap, test, unlockAs, watchPageProblems } from './fixtures'

test('Settings → Backups shows the last backup, and an admin backs up now', async ({ page, workspace }) => {
  const problems = watchPageProblems(page)
  await page.goto(workspace.url)
  await unlockAs(page, 'Dana Admin')
  await page.getByTestId('nav-settings').click()
  const section = page.getByTestId('settings-backups')
  await expect(section).toContainText('Backups')
  const before = fs.existsSync(path.join(workspace.dataDir, 'backups')) ? fs.readdirSync(path.join(workspace.dataDir, 'backups')) : []

  await section.getByTestId('settings-backups-now').click()
  await expect(page.getByText('Backup written')).toBeVisible()
  const after = fs.readdirSync(path.join(workspace.dataDir, 'backups')).filter((f) => !before.includes(f))
  expect(after).toHaveLength(1)
  await expect(section.getByTestId('settings-backups-last-file')).toHaveText(after[0]!)
  await expect(section).toContainText(`countersign restore ${after[0]!}`)
  await snap(page, 'settings-backups-page')
  await page.mouse.move(0, 0)
  await section.screenshot({ path: path.join(SCREENSHOT_DIR, 'settings-backups.png'), animations: 'disabled' })
  expect(problems).toEqual([])
})
