/** The app's version, shown in Settings and recorded by `app.info`. Keep in step with package.json. */
export const APP_VERSION = '0.1.0'
