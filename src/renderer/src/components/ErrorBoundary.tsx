import { Alert, Button, Code, Stack } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import { Component, type ErrorInfo, type ReactNode } from 'react'

interface State {
  error: Error | null
}

/** A view that crashes shows what happened and a way back, instead of a blank window. */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null }

  static getDerivedStateFromError(error: Error): State {
    return { error }
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('countersign: a view crashed', error, info.componentStack)
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children
    return (
      <Stack p="xl" maw={720}>
        <Alert color="red" variant="light" icon={<IconAlertTriangle />} title="This view stopped working" data-testid="view-crashed">
          <Stack gap="sm">
            <span>Nothing was changed by this. Try again; if it repeats, report it with the message below.</span>
            <Code block>{this.state.error.message}</Code>
            <Button variant="light" color="red" w="fit-content" onClick={() => this.setState({ error: null })}>
              Try again
            </Button>
          </Stack>
        </Alert>
      </Stack>
    )
  }
}
