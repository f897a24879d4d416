// A modal asking to confirm a destructive action (revoke), keyboard-operable (React Aria: focus is
// trapped, Escape cancels, focus returns to the button that opened it).
import type { ReactNode } from 'react';
import { Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { Button } from './ui';

interface ConfirmProps {
  trigger: string;
  triggerLabel?: string;
  title: string;
  children: ReactNode;
  confirm: string;
  onConfirm(): void;
}

export function ConfirmDialog(props: ConfirmProps) {
  return (
    <DialogTrigger>
      <Button variant="danger" {...(props.triggerLabel ? { 'aria-label': props.triggerLabel } : {})}>
        {props.trigger}
      </Button>
      <ModalOverlay className="overlay" isDismissable>
        <Modal className="modal">
          <Dialog role="alertdialog" className="dialog">
            {({ close }) => (
              <>
                <Heading slot="title">{props.title}</Heading>
                {props.children}
                <div className="row">
                  <Button onPress={close}>Cancel</Button>
                  <Button
                    variant="danger"
                    onPress={() => {
                      props.onConfirm();
                      close();
                    }}
                  >
                    {props.confirm}
                  </Button>
                </div>
              </>
            )}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}
